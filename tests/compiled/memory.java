// Allocates (and touches) an int[] of as many MB as stdin says; or, for "grow", 8 MB arrays one
// after another, kept, until the heap is full.
import java.util.ArrayList;
import java.util.Scanner;

public class Main {
        public static void main(String[] args) {
                String what = new Scanner(System.in).next();
                if (what.equals("grow")) {
                        ArrayList<int[]> kept = new ArrayList<>();
                        for (;;) {
                                int[] a = new int[2 * 1024 * 1024];
                                for (int i = 0; i < a.length; i += 1024)
                                        a[i] = i + 1;
                                kept.add(a);
                        }
                }
                int mb = Integer.parseInt(what);
                int[] a = new int[mb / 4 * 1024 * 1024];
                for (int i = 0; i < a.length; i += 1024)
                        a[i] = i;
                long s = 0;
                for (int i = 0; i < a.length; i += 1024)
                        s += a[i];
                System.out.println("allocated " + mb + " MB " + (s > 0));
        }
}
